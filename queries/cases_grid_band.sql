-- cases_grid_band: the villages and communities whose households per grid (covered households over grids, as
--   grid_indicators) lies outside the band $band_lo-$band_hi in month $month_num (the latest month in view with
--   grid data); a place without grids has no figure and is not listed.
-- grain: one row per village, furthest below the band first.
-- parameters: $code_lo, $code_hi, $month_num, $band_lo, $band_hi
with villages as (
    select
        g.region_code,
        g.period,
        g.households,
        g.households_covered,
        g.grids,
        ratio(g.households_covered, g.grids) as households_per_grid
    from grid as g
    where g.code_num between $code_lo and $code_hi
        and g.month_num = $month_num
),

final as (
    select
        g.region_code,
        v.name as village_name,
        t.name as town_name,
        g.period,
        g.households,
        g.households_covered,
        g.grids,
        g.households_per_grid,
        case when g.households_per_grid < $band_lo then 'below' else 'above' end as side
    from villages as g
    left join regions as v on v.region_code = g.region_code
    left join regions as t on t.region_code = v.parent_code
    where g.households_per_grid < $band_lo or g.households_per_grid > $band_hi
)

select * from final
order by households_per_grid, region_code
