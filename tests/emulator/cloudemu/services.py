# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The services the emulator plays, in the order their routes are tried. A new service is one
``Service`` subclass in its own file and one line here."""

from __future__ import annotations

from .apig import ApigService
from .ccm import CcmService
from .elb import ElbService
from .iam import IamService
from .metadata import MetadataService
from .netcenter import NetcenterService
from .vpn import VpnService

SERVICES = (IamService, ElbService, VpnService, CcmService, ApigService, NetcenterService, MetadataService)


def default_options():
    """Every service's command-line options with their defaults."""
    options = {}
    for service in SERVICES:
        options.update(service.OPTIONS)
    return options
