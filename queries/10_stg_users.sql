-- GitLab user records of roster names, one per lower-cased username (latest extraction wins).
create or replace table stg_users as
with source as (
    select * from raw_users
),
renamed as (
    select
        id as user_id,
        normalize(username) as username,
        nullif(normalize(public_email), '') as public_email,
        coalesce(bot, false) as is_bot,
        _extracted_at
    from source
    where username is not null
),
final as (
    select user_id, username, public_email, is_bot
    from renamed
    qualify row_number() over (
        partition by username order by _extracted_at desc nulls last, user_id desc
    ) = 1
)
select * from final;
