-- The dashboard's aggregate written by hand, as one query: the baseline the
-- API's GET /cycles/{year}/dashboard is measured against. One row per group —
-- the whole plan, each axis, unit and named owner (grouping sets), each
-- region (an activity counts in each of its regions, $4 when it names none) —
-- with activities planned (not cancelled), done, cancelled, progress points
-- and, on the whole plan's row, unfinished activities due before $3.
-- $1 organisation, $2 plan, $3 today, $4 the name of "no region".
WITH activity AS (
    SELECT a.id, a.status, a.due_date,
           CASE a.status WHEN 'done' THEN 100 WHEN 'cancelled' THEN 0 ELSE a.progress END AS points,
           COALESCE(ax.code || ' — ' || ax.title, 'Sans axe') AS axis,
           COALESCE(u.name, 'Sans structure') AS unit,
           COALESCE(o.full_name, 'Sans responsable nommé') AS owner
    FROM activities a
    JOIN actions ac ON ac.id = a.action_id
    LEFT JOIN axes ax ON ax.id = ac.axis_id
    LEFT JOIN units u ON u.id = a.responsible_unit_id
    LEFT JOIN users o ON o.id = a.owner_id
    WHERE a.organisation_id = $1 AND a.plan_id = $2)
SELECT CASE WHEN grouping(axis) = 0 THEN 'axis' WHEN grouping(unit) = 0 THEN 'unit' WHEN grouping(owner) = 0 THEN 'owner' ELSE '' END,
       COALESCE(axis, unit, owner, ''),
       count(*) FILTER (WHERE status <> 'cancelled'),
       count(*) FILTER (WHERE status = 'done'),
       count(*) FILTER (WHERE status = 'cancelled'),
       sum(points),
       count(*) FILTER (WHERE due_date < $3 AND status NOT IN ('done', 'cancelled'))
FROM activity
GROUP BY GROUPING SETS ((axis), (unit), (owner), ())
UNION ALL
SELECT 'region', COALESCE(r.name, $4),
       count(*) FILTER (WHERE status <> 'cancelled'),
       count(*) FILTER (WHERE status = 'done'),
       count(*) FILTER (WHERE status = 'cancelled'),
       sum(points),
       0
FROM activity
LEFT JOIN activity_regions ar ON ar.activity_id = activity.id
LEFT JOIN regions r ON r.id = ar.region_id
GROUP BY COALESCE(r.name, $4)
