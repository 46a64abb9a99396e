"""What the dashboard shows, built from the selector's `Dashboard`: links (`links`), words (`words`), the
charts (`charts`) and the page's context (`page`). The view and the PDF report call `page_context`."""

from .page import page_context

__all__ = ["page_context"]
