"""Evaluates JMESPath expressions as Kyverno does for the functions the admission example uses.

Reads JSON {"expressions": {name: expr}, "element": {...}} on stdin, evaluates each expression in
order with the earlier results in scope as Kyverno's context variables, and prints the results.
Kyverno adds `split(string, separator)` to standard JMESPath; it is defined here the same way.
"""
import json
import sys

import jmespath
from jmespath import functions


class KyvernoFunctions(functions.Functions):
    @functions.signature({"types": ["string"]}, {"types": ["string"]})
    def _func_split(self, text, separator):
        return text.split(separator)


request = json.load(sys.stdin)
scope = {"element": request["element"]}
options = jmespath.Options(custom_functions=KyvernoFunctions())
for name, expression in request["expressions"].items():
    scope[name] = jmespath.search(expression, scope, options=options)
print(json.dumps({name: scope[name] for name in request["expressions"]}))
