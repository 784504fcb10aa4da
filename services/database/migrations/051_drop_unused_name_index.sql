-- pods_name_idx (lower(name), id) from 001 serves no query: the API filters names with ILIKE/LIKE
-- and orders by name through api_pods_name_idx (050). Every pod write paid for it.
DROP INDEX IF EXISTS pods_name_idx;
