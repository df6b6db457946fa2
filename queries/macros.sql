-- macros: shared SQL, defined once per connection by queries/__init__.py (not a query to run by name).

-- window_months: the comparison windows a monthly indicator query counts in, as parallel lists
-- (governance/metrics/indicators.py builds them), turned into one row per window and month, so facts join
-- on an equality. A window is current / mom / yoy, or one month of a series (w_month its label);
-- w_as_of is the date its case status is read (docs/definitions.md); end_day is the window's last day.
create or replace macro window_months(w_name, w_month, w_from, w_to, w_as_of) as table
with windows as (
    select
        generate_subscripts(w_name, 1) as window_id,
        unnest(w_name) as window_name,
        unnest(w_month) as month,
        unnest(w_from) as from_month,
        unnest(w_to) as to_month,
        unnest(w_as_of) as as_of
)

select
    window_id,
    window_name,
    month,
    as_of,
    last_day(make_date(to_month // 12, to_month % 12 + 1, 1)) as end_day,
    unnest(range(from_month, to_month + 1))::integer as month_num
from windows;

-- ratio: a rate or mean as a sum over a sum; a zero base gives null (shown "—"), never a division error.
-- Every rate of the *_indicators queries is ratio(numerator, denominator), the pair the contract names for it
-- (governance/core/contract.py), so its base can be shown and checked anywhere.
create or replace macro ratio(numerator, denominator) as numerator / nullif(denominator, 0);

-- place_code: the 12-digit code of a roll-up place from its key (code_num // divisor).
create or replace macro place_code(place_key, divisor) as lpad((place_key * divisor)::varchar, 12, '0');
