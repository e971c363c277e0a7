def _todo(request, *a, **k):
    raise NotImplementedError
home = loans = loan = quote = reminders = policy = apply = applications = service_worker = _todo
