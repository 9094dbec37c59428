-- Mart: the commit emails each (non-bot) member is matched by, with their source.
create or replace table member_emails as
with emails as (
    select * from int_member_emails
),
final as (
    select username, email, source from emails
)
select * from final order by username, email;
