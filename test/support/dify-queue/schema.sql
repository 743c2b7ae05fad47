-- The three tables of Dify's database that the dify_queue receiver reads, with Dify's column
-- names, types, nullability and constraints (Dify 1.9 to 1.17). Sources: README.md.
-- Server defaults that need Dify's SQL functions (uuid_generate_v4(), uuidv7()) are left out:
-- the tests insert every value, as Dify's SQLAlchemy models do.

CREATE TABLE workflow_node_executions (
  id uuid NOT NULL,
  tenant_id uuid NOT NULL,
  app_id uuid NOT NULL,
  workflow_id uuid NOT NULL,
  triggered_from varchar(255) NOT NULL,
  workflow_run_id uuid NULL,
  "index" int4 NOT NULL,
  predecessor_node_id varchar(255) NULL,
  node_id varchar(255) NOT NULL,
  node_type varchar(255) NOT NULL,
  title varchar(255) NOT NULL,
  inputs text NULL,
  process_data text NULL,
  outputs text NULL,
  status varchar(255) NOT NULL,
  error text NULL,
  elapsed_time float8 DEFAULT 0 NOT NULL,
  execution_metadata text NULL,
  created_at timestamp DEFAULT CURRENT_TIMESTAMP(0) NOT NULL,
  created_by_role varchar(255) NOT NULL,
  created_by uuid NOT NULL,
  finished_at timestamp NULL,
  node_execution_id varchar(255) NULL,
  CONSTRAINT workflow_node_execution_pkey PRIMARY KEY (id)
);
CREATE INDEX workflow_node_execution_workflow_run_id_idx ON workflow_node_executions (workflow_run_id);

CREATE TABLE upload_files (
  id uuid NOT NULL,
  tenant_id uuid NOT NULL,
  storage_type varchar(255) NOT NULL,
  key varchar(255) NOT NULL,
  name varchar(255) NOT NULL,
  size int4 NOT NULL,
  extension varchar(255) NOT NULL,
  mime_type varchar(255) NULL,
  created_by uuid NOT NULL,
  created_at timestamp DEFAULT CURRENT_TIMESTAMP(0) NOT NULL,
  used bool DEFAULT false NOT NULL,
  used_by uuid NULL,
  used_at timestamp NULL,
  hash varchar(255) NULL,
  created_by_role varchar(255) DEFAULT 'account'::character varying NOT NULL,
  source_url text DEFAULT ''::character varying NOT NULL,
  CONSTRAINT upload_file_pkey PRIMARY KEY (id)
);

CREATE TABLE workflow_node_execution_offload (
  id uuid NOT NULL,
  created_at timestamp DEFAULT CURRENT_TIMESTAMP NOT NULL,
  tenant_id uuid NOT NULL,
  app_id uuid NOT NULL,
  node_execution_id uuid NULL,
  type varchar(20) NOT NULL,
  file_id uuid NOT NULL,
  CONSTRAINT workflow_node_execution_offload_pkey PRIMARY KEY (id),
  CONSTRAINT workflow_node_execution_offload_node_execution_id_key UNIQUE (node_execution_id, type)
);
