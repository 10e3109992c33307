"""政务公开问答 (gongkai) web UI: ``python app.py``.

Serves http://127.0.0.1:7860/ by default (GONGKAI_HOST, GONGKAI_PORT; GONGKAI_AUTH=user:password
for a login). On first start the sample corpus is ingested while the page shows the progress.
"""

from config import load_settings
from ui.server import create_app, serve


def main() -> None:
    settings = load_settings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
