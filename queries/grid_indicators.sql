-- grid_indicators: every grid indicator of SPEC, read from one month per window (a stock, not a flow):
--   the latest month with grid data in the window, chosen by governance/metrics/indicators.py from the manifest.
-- grain: one row per window (current / mom / yoy, or each month of a series) per place.
--   A place is code_num // $divisor: the county, or each town under it when $divisor is a town's.
--   Windows come as parallel lists $w_name, $w_month, $w_from, $w_to, $w_as_of (see window_months in macros.sql).
--   Places of a town or larger are summed from the version's per-town sums (grid_towns.sql), smaller ones from
--   the village rows.
-- parameters: $code_lo, $code_hi, $divisor, $w_name, $w_month, $w_from, $w_to, $w_as_of
with window_months as (
    select *
    from window_months($w_name::varchar[], $w_month::varchar[], $w_from::integer[], $w_to::integer[], $w_as_of::date[])
),

grid_rows as (
    -- DuckDB plans with the bound $divisor, so the branch not taken is never scanned. An account that does not
    -- see every village of a town (a village's account, a 村改居 group) gets grid_towns summed from the villages
    -- it sees (Engine._scoped_schema), so both branches give the figures of the village rows.
    select month_num, code_num, households, households_covered, grids, grid_workers, grid_party_orgs,
           party_member_households, villages
    from grid_towns
    where $divisor >= 1000
    union all
    select month_num, code_num, households, households_covered, grids, grid_workers, grid_party_orgs,
           party_member_households, 1 as villages
    from grid
    where $divisor < 1000
),

counted as (
    select
        w.window_id,
        any_value(w.window_name) as window_name,
        any_value(w.month) as month,
        g.code_num // $divisor as place_key,
        max(g.month_num) as as_of_month,
        sum(g.households)::bigint as households,
        sum(g.households_covered)::bigint as households_covered,
        sum(g.grids)::bigint as grids,
        sum(g.grid_workers)::bigint as grid_workers,
        sum(g.grid_party_orgs)::bigint as grid_party_orgs,
        sum(g.party_member_households)::bigint as party_member_households,
        sum(g.villages)::bigint as villages_reporting
    from grid_rows as g
    inner join window_months as w on w.month_num = g.month_num
    where g.code_num between $code_lo and $code_hi
    -- by the window's integer id, not its name and month (see petitions_indicators.sql)
    group by w.window_id, place_key
),

final as (
    select
        c.window_name,
        place_code(c.place_key, $divisor) as place_code,
        r.name as place_name,
        c.month,
        printf('%04d-%02d', c.as_of_month // 12, c.as_of_month % 12 + 1) as as_of_month,
        c.households,
        c.households_covered,
        c.grids,
        c.grid_workers,
        c.grid_party_orgs,
        c.party_member_households,
        c.villages_reporting,
        ratio(c.households_covered, c.households) as coverage_rate,
        ratio(c.households_covered, c.grids) as households_per_grid,
        ratio(c.grid_workers, c.grids) as workers_per_grid,
        ratio(c.grid_party_orgs, c.grids) as party_org_coverage
    from counted as c
    left join regions as r on r.code_num = c.place_key * $divisor
)

select * from final
order by window_name, place_code, month
