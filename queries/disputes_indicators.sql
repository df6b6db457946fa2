-- disputes_indicators: every disputes indicator of SPEC, counted by the month a dispute was found.
-- grain: one row per window (current / mom / yoy, or each month of a series) per place.
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
--   Windows come as parallel lists (governance/indicators.py builds them): $w_name (current / mom / yoy),
--   $w_month (the month label of a series point, else null), $w_from, $w_to (month numbers
--   year*12+month-1) and $w_as_of (the date the window's status is read, docs/definitions.md).
-- parameters: $code_lo, $code_hi, $divisor, $w_name, $w_month, $w_from, $w_to, $w_as_of
with windows as (
    select
        generate_subscripts($w_name::varchar[], 1) as window_id,
        unnest($w_name::varchar[]) as window_name,
        unnest($w_month::varchar[]) as month,
        unnest($w_from::integer[]) as from_month,
        unnest($w_to::integer[]) as to_month,
        unnest($w_as_of::date[]) as as_of
),

window_months as (
    -- one row per window and month, so facts join on an equality
    select window_id, window_name, month, as_of, unnest(range(from_month, to_month + 1))::integer as month_num
    from windows
),

found as (
    select
        w.window_name,
        w.month,
        d.code_num // $divisor as place_key,
        d.found_on,
        d.status,
        d.resolved_level,
        -- resolved means resolved by the window's reading date (see petitions_indicators.sql)
        case when d.status = 'resolved' and d.resolved_on <= w.as_of then d.resolved_on end as resolved_by
    from disputes as d
    inner join window_months as w on w.month_num = d.month_num
    where d.code_num between $code_lo and $code_hi
),

counted as (
    select
        window_name,
        month,
        place_key,
        count(*) as found,
        count(resolved_by) as resolved,
        count(resolved_by) filter (where resolved_level in ('grid', 'village')) as resolved_locally,
        count(*) filter (where (resolved_by is not null and resolved_level = 'county') or status = 'referred')
            as escalated,
        sum(resolved_by - found_on) as days_to_resolve
    from found
    group by window_name, month, place_key
),

final as (
    select
        c.window_name,
        lpad((c.place_key * $divisor)::varchar, 12, '0') as place_code,
        r.name as place_name,
        c.month,
        c.found,
        c.resolved,
        c.resolved_locally,
        c.escalated,
        c.found - c.resolved as backlog,
        c.resolved / nullif(c.found, 0) as resolution_rate,
        c.resolved_locally / nullif(c.resolved, 0) as local_rate,
        c.escalated / nullif(c.found, 0) as escalation_rate,
        c.days_to_resolve / nullif(c.resolved, 0) as mean_days_to_resolve
    from counted as c
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
