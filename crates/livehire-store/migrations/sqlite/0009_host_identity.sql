-- Identity (docs/trust.md, "Identity"): one host per TikTok handle, and
-- tiktok_shop_verified / badges served only as the operator verified them,
-- the host's own claims kept under self_declared.

-- 1. The handle as handles are compared: trimmed, one leading @ dropped,
--    ASCII-lowercased (SQLite's lower() folds ASCII only, as the server does).
ALTER TABLE hosts ADD COLUMN tiktok_handle_key TEXT;
UPDATE hosts
   SET tiktok_handle_key = trim(json_extract(profile, '$.tiktok_handle'), ' ' || char(9, 10, 11, 12, 13))
 WHERE json_type(profile, '$.tiktok_handle') = 'text';
UPDATE hosts SET tiktok_handle_key = substr(tiktok_handle_key, 2) WHERE substr(tiktok_handle_key, 1, 1) = '@';
UPDATE hosts SET tiktok_handle_key = lower(tiktok_handle_key);
UPDATE hosts SET tiktok_handle_key = NULL WHERE tiktok_handle_key = '';
CREATE INDEX hosts_handle_key_0009 ON hosts (tiktok_handle_key, seq);

-- 2. Where several hosts hold one handle, the earliest (lowest seq) keeps it.
--    A later one loses it: its tiktok_handle moves to self_declared.tiktok_handle
--    (so nothing is lost and the claim stays visible) and out of its search text.
UPDATE hosts
   SET profile = json_set(json_remove(profile, '$.tiktok_handle'),
                          '$.self_declared', json_object('tiktok_handle', json_extract(profile, '$.tiktok_handle'))),
       search_text = CASE
           WHEN substr(search_text, length(coalesce(json_extract(profile, '$.name'), '')) + 1,
                       length(json_extract(profile, '$.tiktok_handle')) + 2)
                = ' ' || lower(json_extract(profile, '$.tiktok_handle')) || ' '
           THEN substr(search_text, 1, length(coalesce(json_extract(profile, '$.name'), '')) + 1)
                || substr(search_text, length(coalesce(json_extract(profile, '$.name'), ''))
                                       + length(json_extract(profile, '$.tiktok_handle')) + 2)
           ELSE search_text
       END
 WHERE tiktok_handle_key IS NOT NULL
   AND EXISTS (SELECT 1 FROM hosts AS earlier
                WHERE earlier.tiktok_handle_key = hosts.tiktok_handle_key AND earlier.seq < hosts.seq);
UPDATE hosts SET tiktok_handle_key = NULL
 WHERE tiktok_handle_key IS NOT NULL
   AND EXISTS (SELECT 1 FROM hosts AS earlier
                WHERE earlier.tiktok_handle_key = hosts.tiktok_handle_key AND earlier.seq < hosts.seq);
DROP INDEX hosts_handle_key_0009;
CREATE UNIQUE INDEX hosts_by_handle_key ON hosts (tiktok_handle_key) WHERE tiktok_handle_key IS NOT NULL;

-- 3. Self-registered hosts (and any host rated here) get ratings_count: the
--    ratings their rating stands on, which the match score weighs by. A host
--    the operator loaded and nobody rated here keeps its imported rating,
--    which counts as one rating per completed session it states.
UPDATE hosts SET profile = json_set(profile, '$.ratings_count', ratings_count)
 WHERE ratings_count > 0
    OR EXISTS (SELECT 1 FROM api_keys k WHERE k.owner_id = hosts.id AND k.owner_kind = 'host');

-- 4. Verified values and claims. A host with no API key was loaded by the
--    operator (livehire seed, serve --demo): its claims count as verified, as
--    they do when the operator loads it now. A host that registered itself
--    had only claims: it starts unverified. Either way its claims move under
--    self_declared, exactly as sent (absent keys stay absent), ahead of any
--    handle step 2 moved there.
UPDATE hosts
   SET profile = json_set(
           json_remove(profile, '$.self_declared'),
           '$.tiktok_shop_verified', json(CASE WHEN is_operator AND declared_shop THEN 'true' ELSE 'false' END),
           '$.badges', CASE WHEN is_operator AND json_type(profile, '$.badges') = 'array'
                            THEN profile -> '$.badges' ELSE json('[]') END,
           '$.self_declared', json_patch(
               json_patch('{}', json_object('tiktok_shop_verified', profile -> '$.tiktok_shop_verified',
                                            'badges', profile -> '$.badges')),
               coalesce(profile -> '$.self_declared', '{}'))),
       tiktok_shop_verified = CASE WHEN is_operator AND declared_shop THEN 1 ELSE 0 END
  FROM (SELECT h.seq AS host_seq,
               NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.owner_id = h.id AND k.owner_kind = 'host') AS is_operator,
               CASE json_type(h.profile, '$.tiktok_shop_verified')
                   WHEN 'true' THEN 1
                   WHEN 'false' THEN 0
                   ELSE EXISTS (SELECT 1 FROM json_each(h.profile, '$.badges') b WHERE b.value = 'tiktok_shop_verified')
               END AS declared_shop
          FROM hosts h) AS facts
 WHERE facts.host_seq = hosts.seq;

-- 5. A profile is served as stored.
UPDATE hosts SET public_json = profile;
