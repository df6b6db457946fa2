-- periods: the periods that hold data, per dataset.
-- grain: one row per dataset per period.
-- parameters: $prefix
select 'petitions' as dataset, period, count(*) as rows from petitions where starts_with(region_code, $prefix) group by all
union all
select 'disputes', period, count(*) from disputes where starts_with(region_code, $prefix) group by all
union all
select 'grid', period, count(*) from grid where starts_with(region_code, $prefix) group by all
union all
select 'branches', period, count(*) from branches where starts_with(region_code, $prefix) group by all
order by dataset, period
