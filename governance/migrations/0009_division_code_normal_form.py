import governance.division_codes
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0008_merge_webhooks_second_factor'),
    ]

    operations = [
        migrations.AlterField(
            model_name='division',
            name='code',
            field=governance.division_codes.DivisionCodeField(help_text='统计用区划代码（区县6位、乡镇街道9位、村社区12位；12位补零形式如431302100000按431302100保存）或本平台编码，仅限字母、数字和连字符。', max_length=32, unique=True, validators=[governance.division_codes.validate_division_code], verbose_name='区划代码'),
        ),
        migrations.AlterField(
            model_name='divisionevent',
            name='code',
            field=governance.division_codes.DivisionCodeField(help_text='统计用区划代码（区县6位、乡镇街道9位、村社区12位；12位补零形式如431302100000按431302100保存）或本平台编码，仅限字母、数字和连字符。', max_length=32, validators=[governance.division_codes.validate_division_code], verbose_name='区划代码'),
        ),
        # Codes stored padded (431302100000) take their normal form (governance.division_codes).
        migrations.RunPython(governance.division_codes.stored_division_codes_normalize, migrations.RunPython.noop),
    ]
