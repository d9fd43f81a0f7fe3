-- Campaign names are unique: an operator addresses a campaign by its id or its name. A database may
-- already hold several campaigns of one name: the oldest keeps it, each later one is renamed
-- "<name> (2)", "<name> (3)", ... (skipping any such name a campaign already has), in its row and in
-- its stored config, before the index is created. One statement: the schema engine runs a migration
-- statement by statement.
UPDATE "campaign" AS c
SET name = renamed.new_name,
    config = CASE
        WHEN jsonb_typeof(c.config) = 'object' AND c.config->'name' IS NOT NULL THEN jsonb_set(c.config, '{name}', to_jsonb(renamed.new_name))
        ELSE c.config
    END
FROM (
    SELECT d.id, free.new_name
    FROM (SELECT id, name, row_number() OVER (PARTITION BY name ORDER BY created_at, id) AS rank FROM "campaign") AS d
    CROSS JOIN LATERAL (
        SELECT d.name || ' (' || n || ')' AS new_name
        FROM generate_series(2::bigint, d.rank + (SELECT count(*) FROM "campaign")) AS n
        WHERE NOT EXISTS (SELECT 1 FROM "campaign" AS taken WHERE taken.name = d.name || ' (' || n || ')')
        ORDER BY n
        OFFSET d.rank - 2
        LIMIT 1
    ) AS free
    WHERE d.rank > 1
) AS renamed
WHERE c.id = renamed.id;

-- CreateIndex
CREATE UNIQUE INDEX "campaign_name_key" ON "campaign"("name");
