-- Bot emails with the bot username they belong to: every address of a member dropped as a bot
-- (as 31_int_bot_emails derives them; a noreply address by its id), and noreply_bot(email) for
-- the noreply forms of bots.txt usernames, whose GitLab id is unknown.
create or replace table int_bot_addresses as
with params as (
    select * from stg_params
),
bot_members as (
    select * from int_bot_members
),
records as (
    select u.* from stg_users as u where u.username in (select username from bot_members)
),
addresses as (
    select e.username, e.email
    from stg_roster_emails as e
    where e.username in (select username from bot_members)
    union
    select username, public_email from records where public_email is not null
    union
    select r.username, r.username || '@' || p.noreply from records as r, params as p
    union
    select r.username, r.user_id || '-' || r.username || '@' || p.noreply
    from records as r, params as p
    union
    select r.username, a.email from records as r join int_noreply_addresses as a using (user_id)
),
final as (
    select email, min(username) as username from addresses group by email
)
select * from final;

create or replace macro noreply_bot(address) as (
    select min(b.username)
    from stg_bot_usernames as b, stg_params as p
    where address = b.username || '@' || p.noreply
        or regexp_replace(address, '^[0-9]+-', '') = b.username || '@' || p.noreply
);
