-- submissions: what each tracked place has sent in, per fact dataset: its latest period with rows, its rows in
--   the month being reported, and (grid: a row per village a month) which of its villages have none that month.
-- grain: one row per dataset per tracked place; places come as parallel lists (any level, e.g. the places
--   accounts are bound to) with the code_num range each covers.
-- parameters: $place_code, $place_lo, $place_hi, $month_num
with places as (
    select
        unnest($place_code::varchar[]) as place_code,
        unnest($place_lo::bigint[]) as lo,
        unnest($place_hi::bigint[]) as hi
),

facts as (
    select 'petitions' as dataset, code_num, month_num, period from petitions
    union all
    select 'disputes' as dataset, code_num, month_num, period from disputes
    union all
    select 'grid' as dataset, code_num, month_num, period from grid
    union all
    select 'branches' as dataset, code_num, month_num, period from branches
),

sent as (
    select
        f.dataset,
        p.place_code,
        max_by(f.period, f.month_num) as latest_period,
        count(*) filter (where f.month_num = $month_num) as rows_in_month
    from places as p
    inner join facts as f on f.code_num between p.lo and p.hi
    group by all
),

grid_missing as (
    select p.place_code, list(v.name order by v.code_num) as villages_missing
    from places as p
    inner join regions as v on v.level = 'village' and v.code_num between p.lo and p.hi
    where not exists (select 1 from grid as g where g.month_num = $month_num and g.code_num = v.code_num)
    group by all
),

final as (
    select
        d.dataset,
        p.place_code,
        r.name as place_name,
        s.latest_period,
        coalesce(s.rows_in_month, 0) as rows_in_month,
        case when d.dataset = 'grid' then coalesce(m.villages_missing, []) end as villages_missing
    from places as p
    cross join (select unnest(['petitions', 'disputes', 'grid', 'branches']) as dataset) as d
    left join sent as s on s.dataset = d.dataset and s.place_code = p.place_code
    left join grid_missing as m on m.place_code = p.place_code
    left join regions as r on r.region_code = p.place_code
)

select * from final
order by dataset, place_code
