"""The one import framework: read (CSV or XLSX), validate every row with its line number, then write
all-or-nothing and summarise. Each app registers one importer per kind it owns (see `registry`)."""
