from autodiag.cli import main

raise SystemExit(main())
