-- Approval and comment events, one row per event id, in-scope projects only. A comment's MR is
-- its note's noteable (the event's own target_id/target_iid name the note).
create or replace table stg_events as
with source as (
    select * from raw_events
),
in_scope as (
    select distinct id as project_id from raw_projects
),
latest as (
    -- a watermark's day is read again by the next incremental run: the same event twice
    select *
    from source
    qualify row_number() over (partition by id order by _extracted_at desc nulls last) = 1
),
final as (
    select
        id as event_id,
        project_id,
        case
            when action_name = 'approved' then 'approved'
            when action_name like 'commented%' then 'commented'
        end as action,
        target_type,
        case when action_name = 'approved' then target_id else note.noteable_id end
            as target_item_id,
        note.id as note_id,
        note.noteable_type as noteable_type,
        coalesce(note.system, false) as is_system,
        normalize(author_username) as author_username,
        timezone('UTC', created_at) as created_at
    from latest
    where project_id in (select project_id from in_scope)
)
select * from final;
