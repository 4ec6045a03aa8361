# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``python -m cloudemu`` from tests/emulator."""

from __future__ import annotations

import sys

from .server import main

sys.exit(main())
