-- Run once by the postgres image on an empty volume; ncp and its database come from POSTGRES_USER/POSTGRES_DB.
ALTER ROLE ncp CREATEDB;
CREATE DATABASE ncp_test OWNER ncp;
