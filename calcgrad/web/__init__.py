"""`calcgrad serve`: the worked steps in a browser, over the same API as the CLI.

app.py       the Starlette application: pages, the JSON API, limits
requests.py  a request → the API call the matching CLI command makes (options parsed by click)
pages.py     what each page shows (MathML, pictures, downloads), computed in a worker thread
mathml.py    SymPy → presentation MathML
templates/   Jinja2 pages (autoescaped); static/ the page's own CSS and JavaScript (no CDN)

Needs the optional extra: pip install "calcgrad[web]".
"""
