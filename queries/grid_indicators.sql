-- grid_indicators: every grid indicator of SPEC, read from the latest month of each window (a stock, not a flow).
-- grain: one row per comparison window (current / mom / yoy) per place, per month when $by_month.
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
-- parameters: $code_lo, $code_hi, $divisor, $by_month, $cur_from, $cur_to, $mom_from, $mom_to, $yoy_from, $yoy_to
--   (month numbers year*12+month-1, null = skip the window)
with windows as (
    select *
    from (values
        ('current', $cur_from::integer, $cur_to::integer),
        ('mom', $mom_from::integer, $mom_to::integer),
        ('yoy', $yoy_from::integer, $yoy_to::integer)
    ) as w (window_name, from_month, to_month)
    where from_month is not null
),

in_window as (
    select
        w.window_name,
        g.*
    from grid as g
    inner join windows as w on g.month_num between w.from_month and w.to_month
    where (g.month_num between $cur_from and $cur_to
            or g.month_num between $mom_from and $mom_to
            or g.month_num between $yoy_from and $yoy_to)
        and g.code_num between $code_lo and $code_hi
),

latest as (
    select window_name, max(month_num) as latest_month
    from in_window
    group by window_name
),

counted as (
    select
        i.window_name,
        i.code_num // $divisor as place_key,
        case when $by_month then i.month_num end as month_num,
        max(i.month_num) as as_of_month,
        sum(i.households)::bigint as households,
        sum(i.households_covered)::bigint as households_covered,
        sum(i.grids)::bigint as grids,
        sum(i.grid_workers)::bigint as grid_workers,
        sum(i.grid_party_orgs)::bigint as grid_party_orgs,
        sum(i.party_member_households)::bigint as party_member_households,
        count(*) as villages_reporting
    from in_window as i
    inner join latest as l on l.window_name = i.window_name
    -- a month series keeps every month; otherwise only the window's latest month counts
    where $by_month or i.month_num = l.latest_month
    group by i.window_name, place_key, 3
),

final as (
    select
        c.window_name,
        lpad((c.place_key * $divisor)::varchar, 12, '0') as place_code,
        r.name as place_name,
        case when c.month_num is not null
            then printf('%04d-%02d', c.month_num // 12, c.month_num % 12 + 1) end as month,
        printf('%04d-%02d', c.as_of_month // 12, c.as_of_month % 12 + 1) as as_of_month,
        c.households,
        c.households_covered,
        c.grids,
        c.grid_workers,
        c.grid_party_orgs,
        c.party_member_households,
        c.villages_reporting,
        c.households_covered / nullif(c.households, 0) as coverage_rate,
        c.households_covered / nullif(c.grids, 0) as households_per_grid,
        c.grid_workers / nullif(c.grids, 0) as workers_per_grid,
        c.grid_party_orgs / nullif(c.grids, 0) as party_org_coverage
    from counted as c
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
