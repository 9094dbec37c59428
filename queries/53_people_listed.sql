-- Mart (not the contract's, never published): each roster username and whether the site may name
-- it (teams.csv `listed`); publish reads it to leave out the people marked listed=no everywhere,
-- also those with no row on the board (a membership outside every window).
create or replace table people_listed as
with memberships as (
    select * from stg_memberships
),
final as (
    select username, bool_and(listed) as listed
    from memberships
    group by username
)
select * from final order by username;
