"""Media the API stores or makes: the Files API (``client.files``) and its resumable upload, and
Imagen text-to-image (``client.images``).

May import: _config, _wire, _errors, _http.
"""
