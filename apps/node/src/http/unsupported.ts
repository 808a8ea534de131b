/**
 * Milvus RESTful API v2 endpoints that Shoal does not implement yet. Each one answers
 * `{ code: 3000, message: "<path> is not supported yet by Shoal" }` (never a fake success);
 * paths Milvus does not have at all answer 404 (see server.ts). The list follows the routes
 * registered by Milvus's handler_v2.go `RegisterRoutesToV2` and the Node SDK's HttpClient.
 */

/** Paths under `/v2/vectordb` that exist in Milvus but not (yet) in Shoal. */
export const UNSUPPORTED_PATHS: readonly string[] = [
  '/collections/rename', '/collections/alter_properties', '/collections/drop_properties',
  '/collections/compact', '/collections/get_compaction_state', '/collections/refresh_load',
  '/collections/fields/add', '/collections/fields/alter_properties',
  '/entities/advanced_search',
  '/partitions/load', '/partitions/release', '/partitions/get_stats',
  '/indexes/alter_properties', '/indexes/drop_properties',
  '/aliases/create', '/aliases/drop', '/aliases/alter', '/aliases/describe', '/aliases/list',
  '/databases/create', '/databases/drop', '/databases/describe', '/databases/alter', '/databases/drop_properties',
  '/jobs/import/create', '/jobs/import/list', '/jobs/import/get_progress', '/jobs/import/describe',
  '/users/create', '/users/drop', '/users/list', '/users/describe', '/users/update_password',
  '/users/grant_role', '/users/revoke_role',
  '/roles/create', '/roles/drop', '/roles/list', '/roles/describe', '/roles/grant_privilege',
  '/roles/revoke_privilege', '/roles/grant_privilege_v2', '/roles/revoke_privilege_v2',
  '/privilege_groups/create', '/privilege_groups/drop', '/privilege_groups/list',
  '/privilege_groups/add_privileges_to_group', '/privilege_groups/remove_privileges_from_group',
  '/resource_groups/create', '/resource_groups/drop', '/resource_groups/alter',
  '/resource_groups/describe', '/resource_groups/list', '/resource_groups/transfer_replica',
];
