"""Shipping a domain to AWS: environments, the CloudFormation stack, deploy and operations.

- `environments`: a domain's ``environments.toml`` (`Environment`, clear errors per key).
- `image`: image URIs by digest.
- `naming`: stack, state machine and logical resource names (stable, validated).
- `definition`: a compiled flow bound to an environment (DefinitionSubstitutions).
- `iam`: the least-privilege policies of the stack's roles.
- `triggers`: what each trigger becomes in the stack, and the input it sends.
- `template`: ``synth``: one CloudFormation template per domain and environment.
- `stack`: ``deploy``: a change set, its changes, waiting, the failing events.
- `operate`: start, executions, status and redrive of deployed flows.
"""
