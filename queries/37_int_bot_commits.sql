-- Counted commits by a bot email, each with the bot username it belongs to (null for a bots.txt
-- email of no bot username), so bot_activity lists bots apart.
create or replace table int_bot_commits as
with commits as (
    select * from int_commits
),
addresses as (
    select * from int_bot_addresses
),
final as (
    select c.sha, c.author_email, coalesce(a.username, noreply_bot(c.author_email)) as username
    from commits as c
    left join addresses as a on a.email = c.author_email
    where is_bot_email(c.author_email)
)
select * from final;
