from ltcdesk.cli import main

raise SystemExit(main())
