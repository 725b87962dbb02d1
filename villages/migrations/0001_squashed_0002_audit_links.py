# Squashed by .ci/squash_migrations.py: every model of the app created in one operation
# (governance.migration_ops.CreateModels, rendered once instead of once per operation), triggers
# installed with their tables. Replaces the migrations listed in ``replaces``.
import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import django.core.validators
import django.db.models.deletion
import governance.migration_ops
import governance.validators
import pgtrigger.compiler
import villages.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations
from django.db import models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('villages', '0001_initial'),
        ('villages', '0002_audit_links'),
    ]

    dependencies = [
        ('governance', '0001_squashed_0005_merge_apikey_audit'),
        ('pghistory', '0007_auto_20250421_0444'),
    ]

    operations = [
        governance.migration_ops.CreateModels(
            [
            migrations.CreateModel(
                name='ContractPlot',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('contract_number', models.CharField(max_length=40, unique=True, verbose_name='承包合同编号')),
                    ('area', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='面积（亩）')),
                    ('location', models.CharField(blank=True, help_text='如：屋前垅、大塘冲', max_length=120, verbose_name='坐落')),
                    ('is_active', models.BooleanField(default=True, help_text='已收回或调整掉的地块不再折股。', verbose_name='有效')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('household', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contract_plots', to='governance.household', verbose_name='承包农户')),
                ],
                options={
                    'verbose_name': '承包地',
                    'verbose_name_plural': '承包地',
                    'ordering': ['household', 'contract_number'],
                    'indexes': [],
                    'constraints': [models.CheckConstraint(condition=models.Q(('area__gt', 0)), name='contract_plot_area_positive', violation_error_message='承包地面积必须大于0亩。')],
                    'triggers': [pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_contractplotevent" ("area", "contract_number", "created_at", "household_id", "id", "is_active", "location", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."area", NEW."contract_number", NEW."created_at", NEW."household_id", NEW."id", NEW."is_active", NEW."location", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."updated_at"); RETURN NULL;', hash='a57cf2230aeadb4fe3b4d55786ed80df90039ca8', operation='INSERT', pgid='pgtrigger_insert_insert_c1385', table='villages_contractplot', when='AFTER')), pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "villages_contractplotevent" ("area", "contract_number", "created_at", "household_id", "id", "is_active", "location", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."area", NEW."contract_number", NEW."created_at", NEW."household_id", NEW."id", NEW."is_active", NEW."location", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."updated_at"); RETURN NULL;', hash='0086cd4cfdfd3866abe5977ad2eb77939503e922', operation='UPDATE', pgid='pgtrigger_update_update_6ed4c', table='villages_contractplot', when='AFTER')), pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_contractplotevent" ("area", "contract_number", "created_at", "household_id", "id", "is_active", "location", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (OLD."area", OLD."contract_number", OLD."created_at", OLD."household_id", OLD."id", OLD."is_active", OLD."location", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."updated_at"); RETURN NULL;', hash='c124a31f33b0ddd03e43ae270bcb9e6799fe3c4d', operation='DELETE', pgid='pgtrigger_delete_delete_bea51', table='villages_contractplot', when='AFTER'))],
                },
            ),
            migrations.CreateModel(
                name='ContractPlotEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('contract_number', models.CharField(max_length=40, verbose_name='承包合同编号')),
                    ('area', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='面积（亩）')),
                    ('location', models.CharField(blank=True, help_text='如：屋前垅、大塘冲', max_length=120, verbose_name='坐落')),
                    ('is_active', models.BooleanField(default=True, help_text='已收回或调整掉的地块不再折股。', verbose_name='有效')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('household', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='governance.household', verbose_name='承包农户')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                    ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='villages.contractplot')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='ca58ff66229fbfd8719ef40f834edc391649f351', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_0ee7d', table='villages_contractplotevent', when='BEFORE'))],
                },
            ),
            migrations.CreateModel(
                name='Hamlet',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('note', models.TextField(blank=True, verbose_name='备注')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('division', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='hamlet', to='governance.division', verbose_name='区划节点')),
                ],
                options={
                    'verbose_name': '屋场',
                    'verbose_name_plural': '屋场',
                    'ordering': ['division__path'],
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_hamletevent" ("created_at", "division_id", "id", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."created_at", NEW."division_id", NEW."id", NEW."note", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."updated_at"); RETURN NULL;', hash='de77c7e2b422ab61212dafeb118abf689e376eef', operation='INSERT', pgid='pgtrigger_insert_insert_7ab57', table='villages_hamlet', when='AFTER')), pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "villages_hamletevent" ("created_at", "division_id", "id", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (NEW."created_at", NEW."division_id", NEW."id", NEW."note", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."updated_at"); RETURN NULL;', hash='6654aeb007b67aa45a1ded8e42e3c8b3d027a455', operation='UPDATE', pgid='pgtrigger_update_update_6cd3e', table='villages_hamlet', when='AFTER')), pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_hamletevent" ("created_at", "division_id", "id", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at") VALUES (OLD."created_at", OLD."division_id", OLD."id", OLD."note", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."updated_at"); RETURN NULL;', hash='3415111e2c1608758a49b3b7e5e33ec0ec896b4d', operation='DELETE', pgid='pgtrigger_delete_delete_2508d', table='villages_hamlet', when='AFTER'))],
                },
            ),
            migrations.CreateModel(
                name='HamletEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('note', models.TextField(blank=True, verbose_name='备注')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('division', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='governance.division', verbose_name='区划节点')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                    ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='villages.hamlet')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='d332385eaec584759554c3acb0ee95f0a949cc55', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_9e6f8', table='villages_hamletevent', when='BEFORE'))],
                },
            ),
            migrations.CreateModel(
                name='HamletMeeting',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('held_on', models.DateField(verbose_name='召开日期')),
                    ('topics', models.TextField(verbose_name='议题')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('attendees', models.ManyToManyField(blank=True, related_name='hamlet_meetings', to='governance.person', verbose_name='参会人员')),
                    ('hamlet', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='villages.hamlet', verbose_name='屋场')),
                    ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                ],
                options={
                    'verbose_name': '屋场会',
                    'verbose_name_plural': '屋场会',
                    'ordering': ['-held_on', '-id'],
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_hamletmeetingevent" ("created_at", "hamlet_id", "held_on", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "recorded_by_id", "topics") VALUES (NEW."created_at", NEW."hamlet_id", NEW."held_on", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."recorded_by_id", NEW."topics"); RETURN NULL;', hash='f3e59e009a6fbd7f6db9fd83de46c458acf6d9fe', operation='INSERT', pgid='pgtrigger_insert_insert_3b6a9', table='villages_hamletmeeting', when='AFTER')), pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "villages_hamletmeetingevent" ("created_at", "hamlet_id", "held_on", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "recorded_by_id", "topics") VALUES (NEW."created_at", NEW."hamlet_id", NEW."held_on", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."recorded_by_id", NEW."topics"); RETURN NULL;', hash='19e46979dddb66bcd1ed53f67370b041b82a8cb9', operation='UPDATE', pgid='pgtrigger_update_update_2ef3c', table='villages_hamletmeeting', when='AFTER')), pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_hamletmeetingevent" ("created_at", "hamlet_id", "held_on", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "recorded_by_id", "topics") VALUES (OLD."created_at", OLD."hamlet_id", OLD."held_on", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."recorded_by_id", OLD."topics"); RETURN NULL;', hash='83da96d60e66302240785df70b9d711254c5489b', operation='DELETE', pgid='pgtrigger_delete_delete_5e73a', table='villages_hamletmeeting', when='AFTER'))],
                },
            ),
            migrations.CreateModel(
                name='HamletMeetingAttendeeLink',
                fields=[
                ],
                options={
                    'proxy': True,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='add_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_hamletmeetingattendeelinkevent" ("hamletmeeting_id", "id", "person_id", "pgh_context_id", "pgh_created_at", "pgh_label") VALUES (NEW."hamletmeeting_id", NEW."id", NEW."person_id", _pgh_attach_context(), NOW(), \'add\'); RETURN NULL;', hash='be36d2374ea5eb3a85218ef316a20130dd5bb0d2', operation='INSERT', pgid='pgtrigger_add_insert_16fb5', table='villages_hamletmeeting_attendees', when='AFTER')), pgtrigger.compiler.Trigger(name='remove_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_hamletmeetingattendeelinkevent" ("hamletmeeting_id", "id", "person_id", "pgh_context_id", "pgh_created_at", "pgh_label") VALUES (OLD."hamletmeeting_id", OLD."id", OLD."person_id", _pgh_attach_context(), NOW(), \'remove\'); RETURN NULL;', hash='8f7f6c8b7fa1962941209fddb29dc388d89c73fa', operation='DELETE', pgid='pgtrigger_remove_delete_84f78', table='villages_hamletmeeting_attendees', when='AFTER'))],
                },
                bases=('villages.hamletmeeting_attendees',),
            ),
            migrations.CreateModel(
                name='HamletMeetingAttendeeLinkEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('hamletmeeting', models.ForeignKey(db_constraint=False, db_tablespace='', on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='villages.hamletmeeting')),
                    ('person', models.ForeignKey(db_constraint=False, db_tablespace='', on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='governance.person')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='b19cdad9f8ffcc4e3787204e1839ee7a85116d76', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_aeec8', table='villages_hamletmeetingattendeelinkevent', when='BEFORE'))],
                },
            ),
            migrations.CreateModel(
                name='HamletMeetingEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('held_on', models.DateField(verbose_name='召开日期')),
                    ('topics', models.TextField(verbose_name='议题')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('hamlet', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='villages.hamlet', verbose_name='屋场')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                    ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='villages.hamletmeeting')),
                    ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='321a8e07cef9bdddc84f7755614930b9c7629cd5', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_7948d', table='villages_hamletmeetingevent', when='BEFORE'))],
                },
            ),
            migrations.CreateModel(
                name='LandTransfer',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('transferor', models.CharField(choices=[('household', '农户'), ('cooperative', '屋场合作社')], max_length=16, verbose_name='流出方')),
                    ('area', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='流转面积（亩）')),
                    ('start_date', models.DateField(verbose_name='起始日期')),
                    ('end_date', models.DateField(verbose_name='到期日期')),
                    ('annual_rent', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='年租金（元）')),
                    ('status', models.CharField(choices=[('pending', '拟流转'), ('active', '履约中'), ('ended', '已到期'), ('terminated', '已解除')], default='active', max_length=16, verbose_name='状态')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('hamlet', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='land_transfers', to='villages.hamlet', verbose_name='屋场')),
                    ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='land_transfers', to='governance.household', verbose_name='流出农户')),
                    ('plots', models.ManyToManyField(blank=True, related_name='land_transfers', to='villages.contractplot', verbose_name='地块')),
                    ('operator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='land_transfers', to='villages.operator', verbose_name='流入经营主体')),
                ],
                options={
                    'verbose_name': '土地流转',
                    'verbose_name_plural': '土地流转',
                    'ordering': ['-start_date', 'id'],
                    'indexes': [],
                    'constraints': [models.CheckConstraint(condition=models.Q(('area__gt', 0)), name='land_transfer_area_positive', violation_error_message='流转面积必须大于0亩。'), models.CheckConstraint(condition=models.Q(('annual_rent__gte', 0)), name='land_transfer_rent_non_negative', violation_error_message='年租金不能为负数。'), models.CheckConstraint(condition=models.Q(('end_date__gt', models.F('start_date'))), name='land_transfer_term_ordered', violation_error_message='到期日期必须晚于起始日期。'), models.CheckConstraint(condition=models.Q(('transferor', 'cooperative'), ('household__isnull', False), _connector='OR'), name='land_transfer_household_given', violation_error_message='由农户流出时必须填写流出农户。')],
                    'triggers': [pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_landtransferevent" ("annual_rent", "area", "created_at", "end_date", "hamlet_id", "household_id", "id", "operator_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "start_date", "status", "transferor", "updated_at") VALUES (NEW."annual_rent", NEW."area", NEW."created_at", NEW."end_date", NEW."hamlet_id", NEW."household_id", NEW."id", NEW."operator_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."start_date", NEW."status", NEW."transferor", NEW."updated_at"); RETURN NULL;', hash='7488ab80c97179d842a540ff12663eed77dd13d6', operation='INSERT', pgid='pgtrigger_insert_insert_24424', table='villages_landtransfer', when='AFTER')), pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "villages_landtransferevent" ("annual_rent", "area", "created_at", "end_date", "hamlet_id", "household_id", "id", "operator_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "start_date", "status", "transferor", "updated_at") VALUES (NEW."annual_rent", NEW."area", NEW."created_at", NEW."end_date", NEW."hamlet_id", NEW."household_id", NEW."id", NEW."operator_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."start_date", NEW."status", NEW."transferor", NEW."updated_at"); RETURN NULL;', hash='34dfd418d72593800b79ccada951967bf9335199', operation='UPDATE', pgid='pgtrigger_update_update_6af3a', table='villages_landtransfer', when='AFTER')), pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_landtransferevent" ("annual_rent", "area", "created_at", "end_date", "hamlet_id", "household_id", "id", "operator_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "start_date", "status", "transferor", "updated_at") VALUES (OLD."annual_rent", OLD."area", OLD."created_at", OLD."end_date", OLD."hamlet_id", OLD."household_id", OLD."id", OLD."operator_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."start_date", OLD."status", OLD."transferor", OLD."updated_at"); RETURN NULL;', hash='f48c20fcad7969a5400fdc1f30883b46fbc0dc4e', operation='DELETE', pgid='pgtrigger_delete_delete_52a25', table='villages_landtransfer', when='AFTER'))],
                },
            ),
            migrations.CreateModel(
                name='LandTransferEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('transferor', models.CharField(choices=[('household', '农户'), ('cooperative', '屋场合作社')], max_length=16, verbose_name='流出方')),
                    ('area', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='流转面积（亩）')),
                    ('start_date', models.DateField(verbose_name='起始日期')),
                    ('end_date', models.DateField(verbose_name='到期日期')),
                    ('annual_rent', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='年租金（元）')),
                    ('status', models.CharField(choices=[('pending', '拟流转'), ('active', '履约中'), ('ended', '已到期'), ('terminated', '已解除')], default='active', max_length=16, verbose_name='状态')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('hamlet', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='villages.hamlet', verbose_name='屋场')),
                    ('household', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='governance.household', verbose_name='流出农户')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                    ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='villages.landtransfer')),
                    ('operator', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='villages.operator', verbose_name='流入经营主体')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='a445420b937a15fd9e17327dbe5b1a7b0556d034', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_10a86', table='villages_landtransferevent', when='BEFORE'))],
                },
            ),
            migrations.CreateModel(
                name='LandTransferPlotLink',
                fields=[
                ],
                options={
                    'proxy': True,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='add_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_landtransferplotlinkevent" ("contractplot_id", "id", "landtransfer_id", "pgh_context_id", "pgh_created_at", "pgh_label") VALUES (NEW."contractplot_id", NEW."id", NEW."landtransfer_id", _pgh_attach_context(), NOW(), \'add\'); RETURN NULL;', hash='c8d920d4c8a0fef37e77f61042ecd3d6fe1690f0', operation='INSERT', pgid='pgtrigger_add_insert_f1665', table='villages_landtransfer_plots', when='AFTER')), pgtrigger.compiler.Trigger(name='remove_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_landtransferplotlinkevent" ("contractplot_id", "id", "landtransfer_id", "pgh_context_id", "pgh_created_at", "pgh_label") VALUES (OLD."contractplot_id", OLD."id", OLD."landtransfer_id", _pgh_attach_context(), NOW(), \'remove\'); RETURN NULL;', hash='229e288820f2b7d48ded9936e8268c7abee887c5', operation='DELETE', pgid='pgtrigger_remove_delete_e42a4', table='villages_landtransfer_plots', when='AFTER'))],
                },
                bases=('villages.landtransfer_plots',),
            ),
            migrations.CreateModel(
                name='LandTransferPlotLinkEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('contractplot', models.ForeignKey(db_constraint=False, db_tablespace='', on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='villages.contractplot')),
                    ('landtransfer', models.ForeignKey(db_constraint=False, db_tablespace='', on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='villages.landtransfer')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='c2995de40b7ff54b2fabaf1dde7d5ceee1ea8c05', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_8e78c', table='villages_landtransferplotlinkevent', when='BEFORE'))],
                },
            ),
            migrations.CreateModel(
                name='MeetingResolution',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('text', models.CharField(max_length=300, verbose_name='决议内容')),
                    ('follow_up', models.CharField(choices=[('pending', '待落实'), ('in_progress', '落实中'), ('done', '已办结')], default='pending', max_length=16, verbose_name='落实情况')),
                    ('due_on', models.DateField(blank=True, null=True, verbose_name='办结时限')),
                    ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='resolutions', to='villages.hamletmeeting', verbose_name='屋场会')),
                ],
                options={
                    'verbose_name': '屋场会决议',
                    'verbose_name_plural': '屋场会决议',
                    'ordering': ['meeting', 'id'],
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_meetingresolutionevent" ("due_on", "follow_up", "id", "meeting_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "text") VALUES (NEW."due_on", NEW."follow_up", NEW."id", NEW."meeting_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."text"); RETURN NULL;', hash='b79aeebb10c0530dab5967d4b21d028d4997cf41', operation='INSERT', pgid='pgtrigger_insert_insert_5c97d', table='villages_meetingresolution', when='AFTER')), pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "villages_meetingresolutionevent" ("due_on", "follow_up", "id", "meeting_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "text") VALUES (NEW."due_on", NEW."follow_up", NEW."id", NEW."meeting_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."text"); RETURN NULL;', hash='dd923adce4fc56051342b9d29a0b055a937ef7db', operation='UPDATE', pgid='pgtrigger_update_update_aefd3', table='villages_meetingresolution', when='AFTER')), pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_meetingresolutionevent" ("due_on", "follow_up", "id", "meeting_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "text") VALUES (OLD."due_on", OLD."follow_up", OLD."id", OLD."meeting_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."text"); RETURN NULL;', hash='063ea1d72b50c58a6ec82e3be50747159131e8dc', operation='DELETE', pgid='pgtrigger_delete_delete_077c4', table='villages_meetingresolution', when='AFTER'))],
                },
            ),
            migrations.CreateModel(
                name='MeetingResolutionEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('text', models.CharField(max_length=300, verbose_name='决议内容')),
                    ('follow_up', models.CharField(choices=[('pending', '待落实'), ('in_progress', '落实中'), ('done', '已办结')], default='pending', max_length=16, verbose_name='落实情况')),
                    ('due_on', models.DateField(blank=True, null=True, verbose_name='办结时限')),
                    ('meeting', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='villages.hamletmeeting', verbose_name='屋场会')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                    ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='villages.meetingresolution')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='48976256e4322aad8d012e885e270d7c45b5cf17', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_8e532', table='villages_meetingresolutionevent', when='BEFORE'))],
                },
            ),
            migrations.CreateModel(
                name='Operator',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('family_farm', '家庭农场'), ('specialised_cooperative', '农民专业合作社'), ('enterprise', '农业企业')], max_length=32, verbose_name='类型')),
                    ('name', models.CharField(max_length=120, verbose_name='名称')),
                    ('uscc', models.CharField(max_length=18, unique=True, validators=[governance.validators.validate_uscc], verbose_name='统一社会信用代码')),
                    ('legal_representative', models.CharField(blank=True, max_length=50, verbose_name='法定代表人/经营者')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('division', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='land_operators', to='governance.division', verbose_name='登记区划')),
                ],
                options={
                    'verbose_name': '新型农业经营主体',
                    'verbose_name_plural': '新型农业经营主体',
                    'ordering': ['name'],
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_operatorevent" ("created_at", "division_id", "id", "kind", "legal_representative", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "uscc") VALUES (NEW."created_at", NEW."division_id", NEW."id", NEW."kind", NEW."legal_representative", NEW."name", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."updated_at", NEW."uscc"); RETURN NULL;', hash='94851c23e7ecb7c35ee91750d44c3560a83b0bf1', operation='INSERT', pgid='pgtrigger_insert_insert_0ee77', table='villages_operator', when='AFTER')), pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "villages_operatorevent" ("created_at", "division_id", "id", "kind", "legal_representative", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "uscc") VALUES (NEW."created_at", NEW."division_id", NEW."id", NEW."kind", NEW."legal_representative", NEW."name", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."updated_at", NEW."uscc"); RETURN NULL;', hash='4d5c354e5285b77cfe1dc029c7dd5f37565150c8', operation='UPDATE', pgid='pgtrigger_update_update_e1d4b', table='villages_operator', when='AFTER')), pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_operatorevent" ("created_at", "division_id", "id", "kind", "legal_representative", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "updated_at", "uscc") VALUES (OLD."created_at", OLD."division_id", OLD."id", OLD."kind", OLD."legal_representative", OLD."name", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."updated_at", OLD."uscc"); RETURN NULL;', hash='5ffb14ffbe9ef66f97d50f48c0dca7e85a5d4062', operation='DELETE', pgid='pgtrigger_delete_delete_8db7e', table='villages_operator', when='AFTER'))],
                },
            ),
            migrations.CreateModel(
                name='OperatorEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('kind', models.CharField(choices=[('family_farm', '家庭农场'), ('specialised_cooperative', '农民专业合作社'), ('enterprise', '农业企业')], max_length=32, verbose_name='类型')),
                    ('name', models.CharField(max_length=120, verbose_name='名称')),
                    ('uscc', models.CharField(max_length=18, validators=[governance.validators.validate_uscc], verbose_name='统一社会信用代码')),
                    ('legal_representative', models.CharField(blank=True, max_length=50, verbose_name='法定代表人/经营者')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('division', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='governance.division', verbose_name='登记区划')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                    ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='villages.operator')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='97a00d1aa6a5063d72a693f663c261712ef8e33b', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_65944', table='villages_operatorevent', when='BEFORE'))],
                },
            ),
            migrations.CreateModel(
                name='ShareHolding',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('contracted_area', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='折股面积（亩）')),
                    ('shares', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='股数')),
                    ('valid_from', models.DateField(verbose_name='生效日期')),
                    ('valid_to', models.DateField(blank=True, help_text='为空表示现行版本。', null=True, verbose_name='截止日期')),
                    ('reason', models.CharField(blank=True, max_length=120, verbose_name='变更原因')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('cooperative', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='share_holdings', to='governance.organization', verbose_name='屋场合作社')),
                    ('household', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='share_holdings', to='governance.household', verbose_name='农户')),
                ],
                options={
                    'verbose_name': '股权登记',
                    'verbose_name_plural': '股权登记',
                    'ordering': ['household', 'cooperative', 'valid_from', 'id'],
                    'indexes': [models.Index(fields=['household', 'valid_to'], name='share_holding_current')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('shares__gte', 0), ('contracted_area__gte', 0)), name='share_holding_non_negative', violation_error_message='股数和折股面积不能为负数。'), models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='share_holding_dates_ordered', violation_error_message='截止日期不能早于生效日期。'), django.contrib.postgres.constraints.ExclusionConstraint(expressions=[(villages.models.SameId('household'), '&&'), (villages.models.SameId('cooperative'), '&&'), (villages.models.DateRange('valid_from', 'valid_to', django.contrib.postgres.fields.ranges.RangeBoundary()), '&&')], name='share_holding_no_overlap', violation_error_code='share_holding_overlap', violation_error_message='该农户在该合作社的股权期间与已有记录重叠。')],
                    'triggers': [pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_shareholdingevent" ("contracted_area", "cooperative_id", "created_at", "household_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "shares", "valid_from", "valid_to") VALUES (NEW."contracted_area", NEW."cooperative_id", NEW."created_at", NEW."household_id", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reason", NEW."shares", NEW."valid_from", NEW."valid_to"); RETURN NULL;', hash='31021dc547d688558aa63c6237063c6a2a490e57', operation='INSERT', pgid='pgtrigger_insert_insert_f62a3', table='villages_shareholding', when='AFTER')), pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "villages_shareholdingevent" ("contracted_area", "cooperative_id", "created_at", "household_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "shares", "valid_from", "valid_to") VALUES (NEW."contracted_area", NEW."cooperative_id", NEW."created_at", NEW."household_id", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reason", NEW."shares", NEW."valid_from", NEW."valid_to"); RETURN NULL;', hash='fb458683b872a35e129e2c23f32233318fa6c60e', operation='UPDATE', pgid='pgtrigger_update_update_af2e0', table='villages_shareholding', when='AFTER')), pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_shareholdingevent" ("contracted_area", "cooperative_id", "created_at", "household_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "shares", "valid_from", "valid_to") VALUES (OLD."contracted_area", OLD."cooperative_id", OLD."created_at", OLD."household_id", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reason", OLD."shares", OLD."valid_from", OLD."valid_to"); RETURN NULL;', hash='9651a5e13ed34c2219bfa6f91e04a20dcdeb7690', operation='DELETE', pgid='pgtrigger_delete_delete_47ae9', table='villages_shareholding', when='AFTER'))],
                },
            ),
            migrations.CreateModel(
                name='ShareHoldingEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('contracted_area', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='折股面积（亩）')),
                    ('shares', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='股数')),
                    ('valid_from', models.DateField(verbose_name='生效日期')),
                    ('valid_to', models.DateField(blank=True, help_text='为空表示现行版本。', null=True, verbose_name='截止日期')),
                    ('reason', models.CharField(blank=True, max_length=120, verbose_name='变更原因')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ('cooperative', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='governance.organization', verbose_name='屋场合作社')),
                    ('household', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='governance.household', verbose_name='农户')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                    ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='villages.shareholding')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='f2cca02117bc49cc6287ee088be6f4a9072efc6f', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_7c496', table='villages_shareholdingevent', when='BEFORE'))],
                },
            ),
            migrations.CreateModel(
                name='ShareRule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('shares_per_mu', models.DecimalField(decimal_places=2, default=Decimal('1.00'), max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='每亩折股数')),
                    ('base_shares', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='有承包地的农户另加的固定股数。', max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='每户基础股')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('cooperative', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='share_rule', to='governance.organization', verbose_name='屋场合作社')),
                ],
                options={
                    'verbose_name': '折股规则',
                    'verbose_name_plural': '折股规则',
                    'indexes': [],
                    'constraints': [models.CheckConstraint(condition=models.Q(('shares_per_mu__gte', 0), ('base_shares__gte', 0)), name='share_rule_non_negative', violation_error_message='折股数不能为负数。')],
                    'triggers': [pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_shareruleevent" ("base_shares", "cooperative_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "shares_per_mu", "updated_at") VALUES (NEW."base_shares", NEW."cooperative_id", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."shares_per_mu", NEW."updated_at"); RETURN NULL;', hash='84f5007d058df7e88d4fe483958242464e2a4e9d', operation='INSERT', pgid='pgtrigger_insert_insert_2a000', table='villages_sharerule', when='AFTER')), pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "villages_shareruleevent" ("base_shares", "cooperative_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "shares_per_mu", "updated_at") VALUES (NEW."base_shares", NEW."cooperative_id", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."shares_per_mu", NEW."updated_at"); RETURN NULL;', hash='a18ba785eaace39ffaa8e57124a3ea4ad5d38e74', operation='UPDATE', pgid='pgtrigger_update_update_98ec0', table='villages_sharerule', when='AFTER')), pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "villages_shareruleevent" ("base_shares", "cooperative_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "shares_per_mu", "updated_at") VALUES (OLD."base_shares", OLD."cooperative_id", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."shares_per_mu", OLD."updated_at"); RETURN NULL;', hash='01e9a26eea7a56a8642676a8f336fb9b96f0207f', operation='DELETE', pgid='pgtrigger_delete_delete_712e5', table='villages_sharerule', when='AFTER'))],
                },
            ),
            migrations.CreateModel(
                name='ShareRuleEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('shares_per_mu', models.DecimalField(decimal_places=2, default=Decimal('1.00'), max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='每亩折股数')),
                    ('base_shares', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='有承包地的农户另加的固定股数。', max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='每户基础股')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ('cooperative', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='governance.organization', verbose_name='屋场合作社')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                    ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='villages.sharerule')),
                ],
                options={
                    'abstract': False,
                    'indexes': [],
                    'constraints': [],
                    'triggers': [pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='58ca1e9da8cefea7257b190b02133a6a1dcdd457', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_c4ead', table='villages_shareruleevent', when='BEFORE'))],
                },
            ),
            ]
        ),
    ]
