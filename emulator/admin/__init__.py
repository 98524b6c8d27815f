"""The tenant's switches as an administrator knows them: admin-center paths and cmdlets.

``switches`` is the table (which tenant key, where it sits in the Microsoft 365,
Exchange or Entra admin center, which cmdlet sets it); ``cmdlets`` reads the
PowerShell an administrator would type and maps it to tenant ``Key=Value``
assignments. Both are pure: no sockets, no event loop.
"""
