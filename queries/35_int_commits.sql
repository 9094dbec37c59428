-- Counted commits authored in the 365-day horizon [as_of - 365 days, as_of): what the
-- unmatched-authors and bot reports count.
create or replace table int_commits as
with commits as (
    select * from int_counted_commits
),
params as (
    select * from stg_params
),
final as (
    select c.*
    from commits as c, params as p
    where c.authored_at >= p.as_of - to_days(365)
)
select * from final;
