from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from objectives.selectors import plan_overview


@login_required
def home(request):
    plan, blocks = plan_overview()
    return render(request, "objectives/home.html", {"plan": plan, "blocks": blocks})
