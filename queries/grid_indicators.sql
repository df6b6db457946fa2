-- grid_indicators: every grid indicator of SPEC, read from the latest month of each window (a stock, not a flow).
-- grain: one row per comparison window (current / mom / yoy) per place (region_code cut to $group_len digits), per month when $by_month.
-- parameters: $prefix, $group_len, $by_month, $cur_from, $cur_to, $mom_from, $mom_to, $yoy_from, $yoy_to (YYYY-MM, null = skip), $min_month, $max_month
with windows as (
    select *
    from (values
        ('current', $cur_from::varchar, $cur_to::varchar),
        ('mom', $mom_from::varchar, $mom_to::varchar),
        ('yoy', $yoy_from::varchar, $yoy_to::varchar)
    ) as w (window_name, from_month, to_month)
    where from_month is not null
),

in_window as (
    select
        w.window_name,
        g.*
    from grid as g
    inner join windows as w on g.period between w.from_month and w.to_month
    where g.period between $min_month and $max_month
        and starts_with(g.region_code, $prefix)
),

latest as (
    select window_name, max(period) as latest_period
    from in_window
    group by all
),

counted as (
    select
        i.window_name,
        rpad(left(i.region_code, $group_len), 12, '0') as place_code,
        case when $by_month then i.period end as month,
        max(i.period) as as_of_month,
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
    where $by_month or i.period = l.latest_period
    group by all
),

final as (
    select
        c.window_name,
        c.place_code,
        r.name as place_name,
        c.month,
        c.as_of_month,
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
    left join regions as r on r.region_code = c.place_code
)

select * from final
order by window_name, place_code, month
