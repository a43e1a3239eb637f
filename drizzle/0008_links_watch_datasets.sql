-- What ingest watches for tagged dataset versions is now each candidate dataset with what it resolved to
-- (src/db/schema/models.ts model_version_tag_parts): the rows of 0007 are dropped and computed again below.
DELETE FROM "model_version_tag_parts";--> statement-breakpoint
DROP INDEX "model_version_tag_parts_dataset_idx";--> statement-breakpoint
ALTER TABLE "model_version_tag_parts" DROP CONSTRAINT "model_version_tag_parts_model_name_version_segment_wanted_pk";--> statement-breakpoint
ALTER TABLE "model_version_tag_parts" ADD COLUMN "dataset_id" uuid;--> statement-breakpoint
ALTER TABLE "model_version_tag_parts" ADD COLUMN "written_at" timestamp(6) with time zone;--> statement-breakpoint
ALTER TABLE "model_version_tag_parts" ADD COLUMN "written_id" uuid;--> statement-breakpoint
ALTER TABLE "model_version_tag_parts" ADD COLUMN "read_version" text;--> statement-breakpoint
CREATE INDEX "model_version_tag_parts_version_idx" ON "model_version_tag_parts" USING btree ("model_name","version");--> statement-breakpoint
CREATE INDEX "model_version_tag_parts_segment_idx" ON "model_version_tag_parts" USING btree ("segment","wanted") WHERE "model_version_tag_parts"."dataset_id" is null;--> statement-breakpoint
CREATE INDEX "model_version_tag_parts_dataset_idx" ON "model_version_tag_parts" USING btree ("dataset_id","wanted","written_at","written_id","read_version");--> statement-breakpoint
-- Every version's links and watch rows, computed again as src/models/link-refresh.ts computes them (its
-- refreshStatement as of this migration, parameters inlined): a tagged dataset version names the first run
-- that wrote it. Every version, then three more passes over the versions copied from others (`models:/`
-- sources), whose inherited links come from their source's stored links.
DO $migration$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM model_versions) THEN RETURN; END IF;
  FOR pass IN 1..4 LOOP
    EXECUTE $refresh$
      with scope as (select model_name, version from model_versions where $1 or source_model_name is not null),
      mv as materialized (
        select v.model_name, v.version, v.source, v.run_id, v.run_uuid, v.source_dataset_ids, v.source_model_name, v.source_model_version
        from model_versions v join scope s on s.model_name = v.model_name and s.version = v.version),
      explicit as (
        select mv.model_name, mv.version, r.id as run_id from mv join runs r on r.id = mv.run_uuid),
      registry as (
        select distinct mv.model_name, mv.version, f.owner_id as run_id, f.name as facet from mv
        cross join lateral unnest(array[jsonb_build_object('tags', jsonb_build_array(jsonb_build_object('key', 'mlflow.run_id'::text, 'value', mv.run_id))), jsonb_build_object('tags', jsonb_build_array(jsonb_build_object('key', 'mlflow_run_id'::text, 'value', mv.run_id))), jsonb_build_object('tags', jsonb_build_array(jsonb_build_object('key', 'registry_run_id'::text, 'value', mv.run_id))), jsonb_build_object('run_id', mv.run_id)]) as probe(value)
        join facets f on f.value @> probe.value and f.name in ('tags', 'mlflow') and f.owner_kind = 'run'
        where mv.run_id is not null),
      artifact as (
        select a.*, count(*) over (partition by a.model_name, a.version) as writers from (
          select distinct on (mv.model_name, mv.version, io.run_id) mv.model_name, mv.version, io.run_id, d.namespace, d.name from mv
          join run_io io on io.dataset_id = any(mv.source_dataset_ids) and io.direction = 'out'
          join datasets d on d.id = io.dataset_id
          order by mv.model_name, mv.version, io.run_id, d.name) a),
      training as (
        select model_name, version, run_id from explicit
        union select model_name, version, run_id from registry
        union select model_name, version, run_id from artifact),
      -- The seed practice of one compound tag (dataset_version = "orders_v2.1+users_v3.0"), on the version
      -- or on a training run's tags facet.
      tag_values as (
        select t.model_name, t.version, t.value from mv
        join model_version_tags t on t.model_name = mv.model_name and t.version = mv.version and t.key = 'dataset_version'
        union
        select tr.model_name, tr.version, e->>'value' from training tr
        join facets f on f.owner_id = tr.run_id and f.name = 'tags' and f.owner_kind = 'run'
        cross join lateral jsonb_array_elements(case when jsonb_typeof(f.value->'tags') = 'array' then f.value->'tags' else '[]' end) e
        where e->>'key' = 'dataset_version'),
      tag_parts as (
        select distinct tv.model_name, tv.version, m[1] as token, m[2] as wanted, tv.value as tag from tag_values tv
        cross join lateral regexp_split_to_table(tv.value, '[+,;]') part
        cross join lateral regexp_match(trim(part), '^(.+?)[_@:-]v?([0-9][A-Za-z0-9_.-]*)$') m
        where m is not null),
      -- A tag part names a dataset by its last name segments and a version: a version some run wrote, or one
      -- a run read by name (dataset-version facet). Searched among the training runs' inputs, everywhere only
      -- when no training run is known (a scan, and a rare case).
      tag_datasets as (
        select p.model_name, p.version, p.token, p.wanted, p.tag, d.id, d.namespace, d.name from tag_parts p
        join training tr on tr.model_name = p.model_name and tr.version = p.version
        join run_io io on io.run_id = tr.run_id and io.direction = 'in'
        join datasets d on d.id = io.dataset_id and (d.name = p.token or d.name like '%.' || p.token or d.name like '%/' || p.token)
        union
        select p.model_name, p.version, p.token, p.wanted, p.tag, d.id, d.namespace, d.name from tag_parts p
        cross join lateral (select d.id, d.namespace, d.name from datasets d where (d.name = p.token or d.name like '%.' || p.token or d.name like '%/' || p.token)) d
        where not exists (select 1 from training tr where tr.model_name = p.model_name and tr.version = p.version)),
      -- The version named is one some run wrote (the first writer, when several runs wrote the same version),
      -- else one a run read by name (without a row to point at). Either choice depends on what is stored,
      -- not on the order it arrived in (link-refresh.ts relies on it to refresh only what may change).
      tag_candidates as (
        select distinct on (t.model_name, t.version, t.id, t.wanted) t.model_name, t.version, t.token, t.wanted, t.tag, t.id, t.namespace, t.name,
          w.version as written_version, w.id as written_id, w.created_at as written_at, r.version as read_version
        from tag_datasets t
        left join lateral (
          select dv.version, dv.id, dv.created_at from dataset_versions dv
          where dv.version_key in ((select encode(set_byte(set_byte(h.d, 6, (get_byte(h.d, 6) & 15) | 128), 8, (get_byte(h.d, 8) & 63) | 128), 'hex')::uuid
        from (select substring(sha256(convert_to('version_key'::text, 'UTF8') || '\x00'::bytea || convert_to(t.id::text, 'UTF8') || '\x00'::bytea || convert_to(t.wanted, 'UTF8')) from 1 for 16) as d) h), (select encode(set_byte(set_byte(h.d, 6, (get_byte(h.d, 6) & 15) | 128), 8, (get_byte(h.d, 8) & 63) | 128), 'hex')::uuid
        from (select substring(sha256(convert_to('version_key'::text, 'UTF8') || '\x00'::bytea || convert_to(t.id::text, 'UTF8') || '\x00'::bytea || convert_to('v' || t.wanted, 'UTF8')) from 1 for 16) as d) h))
          order by dv.created_at, dv.id limit 1) w on true
        left join lateral (
          select io.version from run_io io
          where w.id is null and io.dataset_id = t.id and io.direction = 'in' and io.version in (t.wanted, 'v' || t.wanted)
          order by io.version limit 1) r on true
        order by t.model_name, t.version, t.id, t.wanted),
      tagged as (
        select c.model_name, c.version, c.token, c.wanted, c.tag, c.namespace, c.name,
          coalesce(c.written_version, c.read_version) as dataset_version, c.written_id as version_id
        from tag_candidates c where c.written_id is not null or c.read_version is not null),
      own as (
        select e.model_name, e.version, 'run' as kind, 'run_id' as method, 1.0::float8 as confidence, 'confirmed' as status, e.run_id,
          null::text as dataset_namespace, null::text as dataset_name, null::text as dataset_version, null::uuid as dataset_version_id,
          jsonb_build_object('runId', mv.run_id, 'source', mv.source) as evidence, 0 as rank
        from explicit e join mv using (model_name, version)
        union all
        select r.model_name, r.version, 'run', 'registry_run_id', 0.95, 'confirmed', r.run_id, null, null, null, null,
          jsonb_build_object('registryRunId', mv.run_id, 'facet', r.facet), 1
        from registry r join mv using (model_name, version)
        union all
        select a.model_name, a.version, 'run', 'artifact', 0.9, case when a.writers = 1 then 'confirmed' else 'candidate' end, a.run_id,
          null, null, null, null,
          jsonb_build_object('source', mv.source, 'output', jsonb_build_object('namespace', a.namespace, 'name', a.name), 'writers', a.writers), 2
        from artifact a join mv using (model_name, version)
        union all
        select t.model_name, t.version, 'dataset_version', 'dataset_version_tag', 0.5, 'candidate', null,
          t.namespace, t.name, t.dataset_version, t.version_id, jsonb_build_object('tag', t.tag, 'dataset', t.token, 'version', t.wanted), 3
        from tagged t),
      inherited as (
        select mv.model_name, mv.version, l.kind, 'model_source' as method, l.confidence * 0.95 as confidence,
          coalesce(d.status, l.status) as status, l.run_id, l.dataset_namespace, l.dataset_name, l.dataset_version, l.dataset_version_id,
          jsonb_build_object('via', 'models:/' || l.model_name || '/' || l.version) || l.evidence as evidence, 4 as rank, l.hops + 1 as hops
        from mv join model_version_links l on l.model_name = mv.source_model_name and l.version = mv.source_model_version
        left join model_link_decisions d on d.link_id = l.link_id
        where l.hops < 3 and coalesce(d.status, l.status) <> 'rejected'),
      -- One link per target (a run found by id and by artifact is one link), the strongest method kept. Its id
      -- is linkId's (src/models/links.ts) in SQL.
      computed as (
        select distinct on (c.link_id) c.* from (
          select c.*, case when c.kind = 'run'
              then (select encode(set_byte(set_byte(h.d, 6, (get_byte(h.d, 6) & 15) | 128), 8, (get_byte(h.d, 8) & 63) | 128), 'hex')::uuid
        from (select substring(sha256(convert_to('model_link'::text, 'UTF8') || '\x00'::bytea || convert_to(c.model_name, 'UTF8') || '\x00'::bytea || convert_to(c.version::text, 'UTF8') || '\x00'::bytea || convert_to('run:' || c.run_id::text, 'UTF8')) from 1 for 16) as d) h)
              else (select encode(set_byte(set_byte(h.d, 6, (get_byte(h.d, 6) & 15) | 128), 8, (get_byte(h.d, 8) & 63) | 128), 'hex')::uuid
        from (select substring(sha256(convert_to('model_link'::text, 'UTF8') || '\x00'::bytea || convert_to(c.model_name, 'UTF8') || '\x00'::bytea || convert_to(c.version::text, 'UTF8') || '\x00'::bytea || convert_to('dataset_version:' || c.dataset_namespace, 'UTF8') || '\x00'::bytea || convert_to(c.dataset_name, 'UTF8') || '\x00'::bytea || convert_to(c.dataset_version, 'UTF8')) from 1 for 16) as d) h)
            end as link_id
          from (select *, 0 as hops from own union all select * from inherited) c) c
        order by c.link_id, c.confidence desc, c.rank, c.evidence::text),
      removed as (
        delete from model_version_links l using mv
        -- not in (a hashed set; link ids are never null): not exists would scan the computed links per row.
        where l.model_name = mv.model_name and l.version = mv.version and l.link_id not in (select c.link_id from computed c)),
      written as (
        insert into model_version_links (link_id, model_name, version, kind, method, confidence, status, run_id,
          dataset_namespace, dataset_name, dataset_version, dataset_version_id, evidence, hops)
        select c.link_id, c.model_name, c.version, c.kind, c.method, c.confidence, c.status, c.run_id,
          c.dataset_namespace, c.dataset_name, c.dataset_version, c.dataset_version_id, c.evidence, c.hops
        from computed c order by c.link_id
        on conflict (link_id) do update set kind = excluded.kind, method = excluded.method, confidence = excluded.confidence,
          status = excluded.status, run_id = excluded.run_id, dataset_namespace = excluded.dataset_namespace,
          dataset_name = excluded.dataset_name, dataset_version = excluded.dataset_version,
          dataset_version_id = excluded.dataset_version_id, evidence = excluded.evidence, hops = excluded.hops
        where (model_version_links.method, model_version_links.confidence, model_version_links.status,
            model_version_links.dataset_version_id, model_version_links.evidence, model_version_links.hops)
          is distinct from (excluded.method, excluded.confidence, excluded.status, excluded.dataset_version_id, excluded.evidence, excluded.hops)),
      parts_removed as (
        delete from model_version_tag_parts p using mv where p.model_name = mv.model_name and p.version = mv.version),
      -- What ingest watches (see model_version_tag_parts): every dataset that may be the one a tag part names,
      -- and any dataset of its name for a version without a training run.
      parts_written as (
        insert into model_version_tag_parts (model_name, version, segment, wanted, dataset_id, written_at, written_id, read_version)
        select c.model_name, c.version, regexp_replace(c.token, '^.*[./]', ''), c.wanted, c.id, c.written_at, c.written_id, c.read_version
        from tag_candidates c
        union
        select p.model_name, p.version, regexp_replace(p.token, '^.*[./]', ''), p.wanted, null, null, null, null from tag_parts p
        where not exists (select 1 from training t where t.model_name = p.model_name and t.version = p.version))
      select d.model_name as name, d.version from model_versions d
      join scope s on d.source_model_name = s.model_name and d.source_model_version = s.version
      order by 1, 2
    $refresh$ USING pass = 1;
  END LOOP;
END
$migration$;
