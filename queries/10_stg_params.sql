-- Build parameters bound by pipeline/build: as_of as a naive UTC timestamp, the noreply domain.
create or replace table stg_params as
with source as (
    select * from input_params
),
final as (
    select
        timezone('UTC', as_of) as as_of,
        normalize(noreply_domain) as noreply
    from source
)
select * from final;
