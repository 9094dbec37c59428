-- is_bot_email(email): an exact bot email, or a noreply address (`u@NOREPLY`,
-- `<digits>-u@NOREPLY`) of a bots.txt username, whatever its (unknown) GitLab id.
create or replace macro is_bot_email(address) as (
    address in (select email from int_bot_emails)
    or exists (
        select 1
        from stg_bot_usernames as b, stg_params as p
        where address = b.username || '@' || p.noreply
            or (
                regexp_matches(address, '^[0-9]+-')
                and regexp_replace(address, '^[0-9]+-', '') = b.username || '@' || p.noreply
            )
    )
);
