-- normalize(text): how emails and usernames are compared everywhere: trimmed of surrounding
-- whitespace (tabs and newlines too, like Python's str.strip) and lower-cased.
create or replace macro normalize(value) as (
    lower(regexp_replace(value, '^[\s\v\pZ]+|[\s\v\pZ]+$', '', 'g'))
);
