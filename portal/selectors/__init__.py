"""Reads for the portal's pages, each in a fixed number of queries whatever the number of units: plain
dataclasses, so the same selector feeds the page, its CSV/XLSX export and (later) the PDF."""
