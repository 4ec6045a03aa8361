# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  access_key:
    description:
      - Wangsu AccessKey for C(CNC-HMAC-SHA256) request signing (the newer scheme).
      - If not set, the environment variable E(WANGSU_ACCESS_KEY) is used.
      - When both complete pairs are set, O(access_key) and O(secret_key) are used.
    type: str
  secret_key:
    description:
      - Wangsu SecretKey that goes with O(access_key). Never logged or returned.
      - If not set, the environment variable E(WANGSU_SECRET_KEY) is used.
    type: str
  username:
    description:
      - Account name for the older scheme, HTTP Basic with an HMAC-SHA1 of the C(Date) header as password.
      - If not set, the environment variable E(WANGSU_USERNAME) is used.
    type: str
  api_key:
    description:
      - API key of O(username). Never logged or returned.
      - If not set, the environment variable E(WANGSU_API_KEY) is used.
    type: str
  endpoint:
    description:
      - Base URL of the open API.
      - If not set, the environment variable E(WANGSU_ENDPOINT) is used, else C(https://open.chinanetcenter.com).
    type: str
notes:
  - A request the service refuses as unauthenticated (HTTP 401) fails naming the credential in play,
    for example "secret_key (WANGSU_SECRET_KEY) was refused by the service".
  - Use C(module_defaults) with the group C(group/certfleet.cloud.netcenter) to set the
    connection options once for every Wangsu module of this collection.
'''
