-- disputes_indicators: every disputes indicator of SPEC, counted by the month a dispute was found.
-- grain: one row per window (current / mom / yoy, or each month of a series) per place.
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
--   Windows come as parallel lists $w_name, $w_month, $w_from, $w_to, $w_as_of (see window_months in macros.sql).
-- parameters: $code_lo, $code_hi, $divisor, $w_name, $w_month, $w_from, $w_to, $w_as_of
with window_months as (
    select *
    from window_months($w_name::varchar[], $w_month::varchar[], $w_from::integer[], $w_to::integer[], $w_as_of::date[])
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
        case when d.status = 'resolved' and d.resolved_on <= w.as_of then d.resolved_on end as resolved_by,
        -- SPEC: backlog is what was not resolved by the end of the last month in view
        not coalesce(d.status = 'resolved' and d.resolved_on <= w.end_day, false) as open_at_end
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
        sum(resolved_by - found_on) as days_to_resolve,
        count(*) filter (where open_at_end) as backlog
    from found
    group by window_name, month, place_key
),

final as (
    select
        c.window_name,
        place_code(c.place_key, $divisor) as place_code,
        r.name as place_name,
        c.month,
        c.found,
        c.resolved,
        c.resolved_locally,
        c.escalated,
        c.backlog,
        c.days_to_resolve,
        ratio(c.resolved, c.found) as resolution_rate,
        ratio(c.resolved_locally, c.resolved) as local_rate,
        ratio(c.escalated, c.found) as escalation_rate,
        ratio(c.days_to_resolve, c.resolved) as mean_days_to_resolve
    from counted as c
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
