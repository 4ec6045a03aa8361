# -*- coding: utf-8 -*-
# Copyright: certfleet.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one error family of the collection.

``InputError`` is an option value that cannot work (raised before anything is sent, naming the
option); ``ConfigurationError`` is connection options that cannot work together; ``ApiError`` is
what a service answered (status, code, message, request id). The module base class turns each
into ``fail_json`` the same way for every module.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class CertfleetError(Exception):
    """Base of every error the modules report."""


class InputError(CertfleetError, ValueError):
    """An option value the service would reject, or that cannot be what its option says."""

    def __init__(self, field, reason):
        super(InputError, self).__init__('%s: %s' % (field, reason))
        self.field = field
        self.reason = reason


class ConfigurationError(CertfleetError):
    """Connection options that cannot work together; raised before anything is sent."""


class ApiError(CertfleetError):
    """A request that did not succeed, with what the service said about it."""

    def __init__(self, message, status=None, error_code=None, request_id=None, retryable=False):
        super(ApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.retryable = retryable

    def to_fail_kwargs(self):
        return dict(msg=self.message, status=self.status, error_code=self.error_code, request_id=self.request_id)

    def __str__(self):
        parts = [self.message]
        if self.status is not None:
            parts.append('HTTP %s' % self.status)
        if self.error_code:
            parts.append('error_code=%s' % self.error_code)
        if self.request_id:
            parts.append('request_id=%s' % self.request_id)
        return ', '.join(parts)


class UncertainWriteError(ApiError):
    """A write whose answer never came: it may have taken effect, so it is not sent again."""


def check_length(field, value, maximum, minimum=0):
    if len(value) > maximum:
        raise InputError(field, 'is %d characters long; at most %d are allowed' % (len(value), maximum))
    if len(value) < minimum:
        raise InputError(field, 'is %d characters long; at least %d are required' % (len(value), minimum))
