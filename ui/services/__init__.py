"""The service layer under the Streamlit pages, the email digest and the register CLI.

Pages call only these modules (no SQL in pages):

- :mod:`ui.services.context`   ServiceContext(settings, store, user), require_editor
- :mod:`ui.services.records`   every record returned
- :mod:`ui.services.stories`   ranked story cards, filters, search, pagination, read/save/feedback
- :mod:`ui.services.tools`     the tool & trend register, scorecards, history, suggestions
- :mod:`ui.services.statuses`  the register's statuses: order, EN/FR labels, allowed moves, radar rings
- :mod:`ui.services.radar`     the register as a radar; Build-Your-Own-Radar export/import
- :mod:`ui.services.trends`    weekly topic counts, rising topics and terms, per-source volume
- :mod:`ui.services.sources`   feed health, add/remove/enable, OPML, crawl now, job runs
- :mod:`ui.services.profiles`  effective learner profiles, edit (rescore), preview
- :mod:`ui.services.veille_log` the veille log for a period, CSV and printable HTML
"""

from ui.services.context import ServiceContext, cli_user, make_user, open_context, require_editor

__all__ = ["ServiceContext", "cli_user", "make_user", "open_context", "require_editor"]
