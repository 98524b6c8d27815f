"""The tenant's switches as an administrator knows them: admin-center paths and cmdlets.

``switches`` is the table (which tenant key, where it sits in the Microsoft 365,
Exchange, Entra admin center or Defender portal, which cmdlet sets it);
``cmdlets`` reads the PowerShell an administrator would type and maps it to
tenant ``Key=Value`` assignments, with ``mailbox``, ``protection``, ``identity``
and ``hve`` adding their cmdlets and ``shell`` joining them all; ``coverage``
names the cmdlet of every tenant setting, or why none sets it; ``docs`` renders
that as docs/guide/cmdlets.md. All pure: no sockets, no event loop.
"""
