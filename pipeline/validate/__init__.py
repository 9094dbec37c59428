"""The validate-teams command: teams.csv and bots.txt in, errors, warnings and JUnit XML out.

Sits above roster/ and extract/ because its optional username check is a GitLab read."""
