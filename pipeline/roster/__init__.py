"""The roster stage: teams.csv and bots.txt in; a checked Roster and Bots out (files only, no HTTP).

Also the people view of the marts (unmatched emails, bots) that the site and the preview share."""
