from django.contrib import admin

admin.site.site_header = "caseload administration"
admin.site.site_title = "caseload"
