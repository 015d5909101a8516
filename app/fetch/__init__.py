"""Reports from where they live: fetching web addresses, reading report pages, crawling sites.

`guard` decides which addresses may be reached, `client` fetches through it, `page` reads an
HTML page (links, hints, pagination), `document` turns an address into a document to parse,
`store` keeps it, and `crawl` walks a site's listing of reports.
"""
