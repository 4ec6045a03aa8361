# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # The state option of a module whose resource can be created and deleted.
    DOCUMENTATION = r'''
options:
  state:
    description:
      - V(present) creates the resource or updates it to match the options; V(absent) deletes it.
      - Deleting a resource that is already gone is no change.
    type: str
    choices: [ present, absent ]
    default: present
'''
