# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""certificate_deploy talks to two providers whose options share names (access_key, endpoint), so it
cannot sit in both action groups. This action hands it the groups' ``module_defaults`` as its
``huaweicloud`` and ``netcenter`` options instead, so one ``module_defaults`` block sets the
connection for it as for every other module of the collection."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.plugins.action import ActionBase

GROUPS = ('huaweicloud', 'netcenter')


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = True

    def _group_defaults(self, group):
        merged = {}
        for defaults in self._task.module_defaults or []:
            merged.update(defaults)
        found = {}
        for key in ('group/certfleet.cloud.%s' % group, 'group/%s' % group):
            # A group's defaults may be one template ("{{ connection }}") as well as a dict.
            found.update(self._templar.template(merged.get(key)) or {})
        return found

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        for group in GROUPS:
            defaults = self._group_defaults(group)
            if defaults:
                given = args.get(group) or {}
                args[group] = dict(defaults, **given)
        result.update(self._execute_module(module_name='certfleet.cloud.certificate_deploy', module_args=args,
                                           task_vars=task_vars, wrap_async=self._task.async_val))
        return result
