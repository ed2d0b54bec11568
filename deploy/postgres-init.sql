-- Run once by the postgres image, on an empty data volume, as POSTGRES_USER.
-- Temporal (temporalio/auto-setup) keeps its state and its visibility store in
-- databases of their own, apart from the product's `ptacycle` database.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
