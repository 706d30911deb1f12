-- The KPI figures computed in plain SQL (SQLite), for the comparison of scripts/bench-kpi:
-- K3, K4 per performer, K6 coverage, K7 per type, K8 retention lines, K10 age classes for
-- the year set in the temporary table `y` (columns start, end, back4).
SELECT kind, subtype, performer, COUNT(*), SUM(teleconsultation), SUM(experimental) FROM appointments
 WHERE status = 'done' AND date BETWEEN (SELECT start FROM y) AND (SELECT "end" FROM y) GROUP BY kind, subtype, performer;
SELECT performer, SUM(status = 'done'), SUM(status = 'absent'), SUM(status IN ('excused', 'excused_replaced')),
       SUM(status = 'excused_replaced') FROM appointments
 WHERE date BETWEEN (SELECT start FROM y) AND (SELECT "end" FROM y) GROUP BY performer;
SELECT COUNT(*), SUM(EXISTS (SELECT 1 FROM risk_sheets s WHERE s.establishment_id = e.id
        AND s.finalised_on BETWEEN (SELECT back4 FROM y) AND (SELECT "end" FROM y)))
  FROM establishments e WHERE e.joined_on <= (SELECT "end" FROM y)
   AND (e.struck_off_on IS NULL OR e.struck_off_on > (SELECT "end" FROM y));
SELECT type, COUNT(*), COUNT(DISTINCT establishment_id),
       SUM(COALESCE(workers, CASE WHEN worker_id IS NULL THEN 0 ELSE 1 END)) FROM workplace_actions
 WHERE date BETWEEN (SELECT start FROM y) AND (SELECT "end" FROM y) GROUP BY type;
SELECT CASE WHEN item = 'referral' THEN partner ELSE item END, COUNT(*) FROM pdp_items
 WHERE date BETWEEN (SELECT start FROM y) AND (SELECT "end" FROM y) GROUP BY 1;
SELECT CASE WHEN age < 21 THEN '<21' WHEN age <= 30 THEN '21-30' WHEN age <= 40 THEN '31-40'
            WHEN age <= 50 THEN '41-50' WHEN age <= 60 THEN '51-60' ELSE '>60' END, sex, COUNT(*)
  FROM (SELECT w.sex, CAST(strftime('%Y', (SELECT "end" FROM y)) AS INTEGER) - CAST(strftime('%Y', w.birth_date) AS INTEGER)
               - (strftime('%m-%d', (SELECT "end" FROM y)) < strftime('%m-%d', w.birth_date)) AS age
          FROM declaration_lines l JOIN declarations d ON d.id = l.declaration_id
          JOIN employments m ON m.id = l.employment_id JOIN workers w ON w.id = m.worker_id
         WHERE d.status = 'submitted' AND d.year = CAST(strftime('%Y', (SELECT "end" FROM y)) AS INTEGER))
 GROUP BY 1, 2;
